import type { Dispatcher } from 'undici';
import type { SseEvent } from '../formats/types.js';
import type { UpstreamRequest } from './types.js';
import type { Cancellation } from '../util/cancel.js';
import { TransportError, type UpstreamResponse } from '../upstream/send.js';
import { readText } from '../upstream/send.js';

type Send = (req: UpstreamRequest, dispatcher: Dispatcher, signal: Cancellation | AbortSignal) => Promise<UpstreamResponse>;

/**
 * Send to `req.url`, then to each `fallbackUrls` entry after a transport error or a 429; the last answer wins.
 * Without fallback URLs (nearly every call) it is the plain send, with no extra async layer.
 */
export function sendWithFallback(req: UpstreamRequest, dispatcher: Dispatcher, signal: Cancellation | AbortSignal, send: Send): Promise<UpstreamResponse> {
  if (!req.fallbackUrls?.length) return send(req, dispatcher, signal);
  return sendInTurn(req, dispatcher, signal, send);
}

async function sendInTurn(req: UpstreamRequest, dispatcher: Dispatcher, signal: Cancellation | AbortSignal, send: Send): Promise<UpstreamResponse> {
  const urls = [req.url, ...(req.fallbackUrls ?? [])];
  for (let i = 0; i < urls.length; i++) {
    const last = i === urls.length - 1;
    try {
      const res = await send({ ...req, url: urls[i]! }, dispatcher, signal);
      if (res.status === 429 && !last) {
        if (!res.bytes) await readText(res.body).catch(() => ''); // drain it (a whole answer is read already)
        continue;
      }
      return res;
    } catch (err) {
      if (last || !(err instanceof TransportError) || signal.aborted) throw err;
    }
  }
  throw new TransportError('no upstream URL');
}

/** Gemini CLI / Antigravity: `{"response": {...}}` → `{...}` (anything else passes unchanged). */
export function unwrapResponseJson(text: string): string {
  const t = text.trimStart();
  if (!t.startsWith('{')) return text;
  try {
    const j = JSON.parse(t) as Record<string, unknown>;
    if (j && typeof j === 'object' && j.response && typeof j.response === 'object') return JSON.stringify(j.response);
    return text;
  } catch {
    return text;
  }
}

/** The same for each SSE event; a `[DONE]` marker or empty data is dropped (Gemini streams have none). */
export function unwrapResponseEvent(ev: SseEvent): SseEvent | undefined {
  if (!ev.data || ev.data === '[DONE]') return undefined;
  if (!ev.data.startsWith('{"response"')) {
    const trimmed = ev.data.trimStart();
    if (!trimmed.startsWith('{') || !trimmed.includes('"response"')) return ev;
  }
  const data = unwrapResponseJson(ev.data);
  return ev.event ? { event: ev.event, data } : { data };
}
