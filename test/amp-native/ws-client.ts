import WebSocket from 'ws';

/** A minimal thread-socket client: records every server frame, awaits frames by predicate. */
export class ThreadClient {
  readonly frames: any[] = [];
  readonly raw: string[] = [];
  private waiters: Array<{ pred: (f: any) => boolean; resolve: (f: any) => void }> = [];
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      let f: any = text;
      try {
        f = JSON.parse(text);
      } catch {
        /* `pong` is a bare text frame */
      }
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => (w.pred(f) ? (w.resolve(f), false) : true));
    });
  }

  static connect(base: string, threadId: string, wsToken: string, protocols?: string[]): Promise<ThreadClient> {
    const url = `${base.replace(/^http/, 'ws')}/actors/gateway/threadActor/websocket/?rvt-namespace=default&rvt-method=get&rvt-key=${threadId}&rvt-skip-ready-wait=true`;
    const params = encodeURIComponent(JSON.stringify({ wsToken, clientApplication: 'test', interactiveClient: false, transport: 'json-rpc' }));
    const ws = new WebSocket(url, protocols ?? ['rivet', `rivet_conn_params.${params}`]);
    const client = new ThreadClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  /** Resolves with the first frame (already received or future) matching. */
  waitFor(pred: (f: any) => boolean, timeoutMs = 5000): Promise<any> {
    const seen = this.frames.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting; frames: ${this.raw.slice(-10).join(' | ')}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  event(method: string, pred: (p: any) => boolean = () => true): Promise<any> {
    return this.waitFor((f) => f && f.method === method && pred(f.params)).then((f) => f.params);
  }

  /** Send a request; resolves with its response frame. */
  request(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.waitFor((f) => f && f.id === id && !('method' in f));
  }

  send(text: string): void {
    this.ws.send(text);
  }

  close(): void {
    this.ws.close();
  }
}
