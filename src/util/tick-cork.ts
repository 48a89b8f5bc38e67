/**
 * Writes made in one tick leave in one system call: the first write of a tick corks the stream, and it is
 * uncorked when the tick ends. For raw sockets that get bursts of small writes from one event (the frames a
 * thread emits for one message). Not needed on an HTTP response: node:http corks its socket the same way.
 * Nothing waits longer than the current tick.
 */
export class TickCork {
  private corked = false;
  private readonly release = () => {
    this.corked = false;
    this.stream.uncork();
  };

  constructor(private readonly stream: { cork(): void; uncork(): void }) {}

  /** Call before each write. */
  hold(): void {
    if (this.corked) return;
    this.corked = true;
    this.stream.cork();
    process.nextTick(this.release);
  }
}
