// Reference point for the pass-through benchmark: the smallest Node proxy we know how to write on the same
// stack cliproxy uses (node:http in, undici's dispatch API out, one keep-alive pool), with no auth, routing,
// validation, error handling or logging. Its ratio is the ceiling for a Node proxy on this machine; what
// cliproxy costs beyond it is our own overhead.
import { createServer } from 'node:http';
import { Pool } from 'undici';
const pool = new Pool(process.env.UPSTREAM, { connections: 256 });
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString());
    body.model = 'bench-up';
    const parts = [];
    pool.dispatch({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, {
      onConnect() {},
      onError(err) { res.destroy(err); },
      onHeaders() { if (body.stream) res.writeHead(200, { 'content-type': 'text/event-stream' }); return true; },
      onData(chunk) { if (body.stream) res.write(chunk); else parts.push(chunk); return true; },
      onComplete() {
        if (body.stream) return void res.end();
        const out = Buffer.concat(parts);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length });
        res.end(out);
      },
    });
  });
}).listen(0, '127.0.0.1', function () { process.stdout.write(`READY ${this.address().port}\n`); });
