import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Conn, ThreadActor } from './thread.js';
import type { NativeAmp } from './index.js';
import { TickCork } from '../../util/tick-cork.js';

export const WS_PATH = /^\/actors\/gateway\/threadActor\/websocket\/?$/;
const CONN_PARAMS_PREFIX = 'rivet_conn_params.';
const MAX_FRAME_BYTES = 32 * 1024 * 1024;

/** `{wsToken}` from the offered subprotocols (`rivet`, `rivet_conn_params.<urlencoded JSON>`). */
export function tokenFromProtocols(header: string | undefined): string | undefined {
  for (const p of (header ?? '').split(',').map((s) => s.trim())) {
    if (!p.startsWith(CONN_PARAMS_PREFIX)) continue;
    try {
      const v = JSON.parse(decodeURIComponent(p.slice(CONN_PARAMS_PREFIX.length))) as { wsToken?: unknown };
      if (typeof v.wsToken === 'string') return v.wsToken;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

let nextConnId = 1;

/**
 * The thread WebSocket: token check at the upgrade (the `wsToken` thread-actors issued for this thread),
 * subprotocol `rivet`, readiness `pong`, ping/pong, then JSON-RPC 2.0 frames (single or batched) dispatched
 * to the thread actor. A bad frame gets a JSON-RPC error and never affects the actor or other sockets.
 */
export class ThreadSocketServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('rivet') ? 'rivet' : false),
  });

  constructor(private readonly native: NativeAmp) {}

  /** Take an upgrade if it is for the thread socket; false to let others handle it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!WS_PATH.test(url.pathname)) return false;
    const threadId = url.searchParams.get('rvt-key') ?? '';
    const token = tokenFromProtocols(req.headers['sec-websocket-protocol'] as string | undefined);
    const actor = token ? this.native.actorForToken(token, threadId) : undefined;
    if (!actor) {
      this.native.app.log.warn({ thread: threadId || undefined, token: token ? 'unknown' : 'missing' }, 'amp thread socket refused');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, socket, actor));
    return true;
  }

  private serve(ws: WebSocket, socket: Duplex, actor: ThreadActor): void {
    // A turn emits several frames at once (reply, message_added, agent_state, ...): one write per tick.
    const cork = new TickCork(socket);
    const conn: Conn = {
      id: nextConnId++,
      executor: false,
      send: (frame) => {
        if (ws.readyState !== ws.OPEN) return;
        cork.hold();
        ws.send(frame);
      },
    };
    actor.attach(conn);
    ws.send('pong');
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
      try {
        this.onFrame(actor, conn, text);
      } catch (err) {
        this.native.app.log.error({ thread: actor.id, err: (err as Error).message }, 'amp thread frame failed');
        conn.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'internal error' } }));
      }
    });
    ws.on('close', () => actor.detach(conn));
    ws.on('error', () => ws.terminate());
  }

  private onFrame(actor: ThreadActor, conn: Conn, text: string): void {
    if (text === 'ping') return conn.send('pong');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return conn.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error: frame is not JSON' } }));
    }
    if (value === 'ping') return conn.send('pong');
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0) return conn.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'empty batch' } }));
    for (const item of items) this.native.dispatch(actor, conn, item);
  }

  close(): void {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }
}
