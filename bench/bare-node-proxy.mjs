// Reference point for the pass-through benchmark: the smallest possible Node proxy (node:http in, undici out,
// no auth, routing, validation or logging). What cliproxy costs beyond this is our own overhead.
import { createServer } from 'node:http';
import { request, Agent } from 'undici';
const agent = new Agent({ connections: 256 });
const up = process.env.UPSTREAM;
createServer(async (req, res) => {
  const chunks = []; for await (const c of req) chunks.push(c);
  const body = JSON.parse(Buffer.concat(chunks).toString()); body.model = 'bench-up';
  const r = await request(`${up}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), dispatcher: agent });
  if (body.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for await (const chunk of r.body) res.write(chunk);
    res.end();
    return;
  }
  const text = await r.body.text();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }); res.end(text);
}).listen(0, '127.0.0.1', function () { process.stdout.write(`READY ${this.address().port}\n`); });
