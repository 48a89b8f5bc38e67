import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FakeProxy {
  url: string;
  /** host:port targets seen, in order. */
  targets: string[];
  close(): Promise<void>;
}

/** Minimal HTTP proxy supporting CONNECT tunnels and absolute-form requests. */
export async function startHttpProxy(): Promise<FakeProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createHttpServer((req, res) => {
    // absolute-form request: forward it
    const u = new URL(req.url ?? '');
    targets.push(u.host);
    const upstream = connect(Number(u.port || 80), u.hostname, () => {
      upstream.write(`${req.method} ${u.pathname}${u.search} HTTP/1.1\r\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
      req.pipe(upstream);
      upstream.pipe(res.socket!);
    });
  });
  server.on('connect', (req, client: Socket, head) => {
    targets.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(client).add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Minimal SOCKS5 proxy (no auth or username/password, CONNECT only). */
export async function startSocks5Proxy(credentials?: { user: string; pass: string }): Promise<FakeProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((client) => {
    sockets.add(client);
    client.on('error', () => {});
    let stage: 'greet' | 'auth' | 'request' = 'greet';
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (stage === 'greet' && buf.length >= 2 && buf.length >= 2 + buf[1]!) {
        const methods = [...buf.subarray(2, 2 + buf[1]!)];
        buf = buf.subarray(2 + buf[1]!);
        if (credentials && methods.includes(2)) {
          client.write(Buffer.from([5, 2]));
          stage = 'auth';
        } else {
          client.write(Buffer.from([5, 0]));
          stage = 'request';
        }
      }
      if (stage === 'auth' && buf.length >= 2) {
        const ulen = buf[1]!;
        if (buf.length < 3 + ulen) return;
        const plen = buf[2 + ulen]!;
        if (buf.length < 3 + ulen + plen) return;
        const user = buf.subarray(2, 2 + ulen).toString();
        const pass = buf.subarray(3 + ulen, 3 + ulen + plen).toString();
        buf = buf.subarray(3 + ulen + plen);
        const ok = user === credentials!.user && pass === credentials!.pass;
        client.write(Buffer.from([1, ok ? 0 : 1]));
        if (!ok) return client.destroy();
        stage = 'request';
      }
      if (stage === 'request' && buf.length >= 10) {
        const atyp = buf[3]!;
        let host: string;
        let off: number;
        if (atyp === 1) {
          host = [...buf.subarray(4, 8)].join('.');
          off = 8;
        } else if (atyp === 3) {
          const len = buf[4]!;
          host = buf.subarray(5, 5 + len).toString();
          off = 5 + len;
        } else return client.destroy();
        const port = buf.readUInt16BE(off);
        const rest = buf.subarray(off + 2);
        client.off('data', onData);
        targets.push(`${host}:${port}`);
        const upstream = connect(port, host, () => {
          client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
          if (rest.length) upstream.write(rest);
          upstream.pipe(client);
          client.pipe(upstream);
        });
        sockets.add(upstream);
        upstream.on('error', () => client.destroy());
      }
    };
    client.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const auth = credentials ? `${credentials.user}:${credentials.pass}@` : '';
  return {
    url: `socks5://${auth}127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
