/**
 * Buffers collected in arrival order and joined at the end. Most bodies arrive in one chunk: an array (with its
 * 17-slot backing store) is made only from the second, and one chunk is handed back as it came.
 */
export class Chunks {
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;

  push(chunk: Buffer): void {
    if (!this.first) this.first = chunk;
    else if (!this.more) this.more = [this.first, chunk];
    else this.more.push(chunk);
  }

  join(): Buffer {
    return this.more ? Buffer.concat(this.more) : (this.first ?? Buffer.alloc(0));
  }
}
