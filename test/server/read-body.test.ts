import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { BodyTooLargeError, readBody } from '../../src/server/body.js';

let server: Server | undefined;
afterEach(
  () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

/** A server whose handler reads each request's body; `next()` gives the next request's outcome. */
function serve(limit: number): Promise<{ port: number; next: () => Promise<Buffer | Error> }> {
  const outcomes: Promise<Buffer | Error>[] = [];
  const waiters: ((p: Promise<Buffer | Error>) => void)[] = [];
  server = createServer((req: IncomingMessage, res) => {
    const outcome = readBody(req, limit).then(
      (b) => b,
      (e: Error) => e,
    );
    void outcome.then(() => (res.writableEnded || res.destroyed ? undefined : res.end()));
    const w = waiters.shift();
    if (w) w(outcome);
    else outcomes.push(outcome);
  });
  return new Promise((resolve) => {
    server!.listen(0, '127.0.0.1', () => {
      const port = (server!.address() as AddressInfo).port;
      resolve({ port, next: () => outcomes.shift() ?? new Promise((r) => waiters.push(r)).then((p) => p as Promise<Buffer | Error>) });
    });
  });
}

function rawRequest(port: number, head: string, body: string, hangUp: boolean): void {
  const socket = connect(port, '127.0.0.1', () => {
    socket.write(`${head}\r\n\r\n${body}`);
    if (hangUp) setTimeout(() => socket.destroy(), 30);
  });
  socket.on('error', () => {});
}

describe('readBody', () => {
  it('reads a whole body', async () => {
    const { port, next } = await serve(1024);
    rawRequest(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11', 'hello world', false);
    const got = await next();
    expect(got).toBeInstanceOf(Buffer);
    expect(String(got)).toBe('hello world');
  });

  it('fails, rather than waiting forever, when the caller hangs up mid-body', async () => {
    const { port, next } = await serve(1024);
    rawRequest(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100', 'abc', true);
    const got = await Promise.race([next(), new Promise<string>((r) => setTimeout(() => r('still waiting'), 2000))]);
    expect(got).toBeInstanceOf(Error);
  });

  it('refuses a body over the limit', async () => {
    const { port, next } = await serve(8);
    rawRequest(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20', 'x'.repeat(20), false);
    expect(await next()).toBeInstanceOf(BodyTooLargeError);
  });
});
