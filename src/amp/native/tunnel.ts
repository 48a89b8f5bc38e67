import type { IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { App } from '../../app.js';

/**
 * `ampcode.threads: upstream`: the thread WebSocket goes to Amp's hosted agent. The token in the subprotocol
 * was issued by that upstream (thread-actors was forwarded too), so the upgrade is relayed byte for byte with
 * only `Host` rewritten.
 */
export function tunnelUpgrade(app: App, req: IncomingMessage, socket: Duplex, head: Buffer, upstreamUrl: string): void {
  let base: URL;
  try {
    base = new URL(upstreamUrl);
  } catch {
    socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const tls = base.protocol === 'https:';
  const port = Number(base.port) || (tls ? 443 : 80);
  const upstream: Socket = tls ? tlsConnect({ host: base.hostname, port, servername: base.hostname }) : netConnect({ host: base.hostname, port });
  const path = base.pathname.replace(/\/+$/, '') + (req.url ?? '/');
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${base.host}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (/^(host|x-forwarded-.*|forwarded|x-real-ip)$/i.test(name)) continue;
    lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  upstream.once(tls ? 'secureConnect' : 'connect', () => {
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', (err) => {
    app.log.warn({ err: err.message }, 'amp thread socket: upstream unreachable');
    socket.destroy();
  });
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
}
