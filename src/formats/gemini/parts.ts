import { rememberArguments, rememberedArguments } from '../shared/parsed-arguments.js';
import type { AssistantPart, ImagePart, ReasoningPart, TextPart } from '../../ir/index.js';
import { field, guessImageMime, isObj, parseDataUrl, SKIP_THOUGHT_SIGNATURE, str, type Json } from './wire.js';

/**
 * Gemini `Part` <-> canonical parts, shared by the request and response codecs.
 *
 * Signatures: Gemini puts `thoughtSignature` on whatever part ends a thinking step — a thought part, a
 * functionCall, or a plain text part. On a thought part it becomes that reasoning part's `signature`; on a
 * functionCall it is `ToolCallPart.signature`; on any other part it becomes an empty gemini reasoning part
 * (text "", signature) placed just before it, which the encoder re-attaches to the following part. This keeps
 * the signature in the position Gemini expects when the history comes back.
 */

/** Text note standing in for media the canonical model cannot carry (non-image inline data / files). */
export function mediaNote(mime: string, uri?: string): TextPart {
  return { type: 'text', text: uri ? `[file ${uri} (${mime}) omitted]` : `[${mime} attachment omitted]` };
}

/** inlineData / fileData → image part, or a text note for non-image media; undefined if not a media part. */
export function decodeMedia(part: Json): ImagePart | TextPart | undefined {
  const inline = field(part, 'inlineData');
  if (isObj(inline)) {
    const mime = str(field(inline, 'mimeType')) ?? 'application/octet-stream';
    const data = str(inline.data) ?? '';
    if (mime.startsWith('image/')) return { type: 'image', source: { kind: 'base64', mediaType: mime, data } };
    return mediaNote(mime);
  }
  const file = field(part, 'fileData');
  if (isObj(file)) {
    const uri = str(field(file, 'fileUri')) ?? '';
    const mime = str(field(file, 'mimeType'));
    if (!mime || mime.startsWith('image/')) return { type: 'image', source: { kind: 'url', url: uri } };
    return mediaNote(mime, uri);
  }
  return undefined;
}

export function encodeImage(part: ImagePart): Json {
  const src = part.source;
  if (src.kind === 'base64') return { inlineData: { mimeType: src.mediaType, data: src.data } };
  // Some decoders leave data: URLs as URLs; Gemini only takes those inline.
  const data = parseDataUrl(src.url);
  if (data) return { inlineData: { mimeType: data.mediaType, data: data.data } };
  return { fileData: { mimeType: guessImageMime(src.url), fileUri: src.url } };
}

/** A part's thoughtSignature, ignoring Google's documented bypass values (they carry no reasoning state). */
export function realSignature(v: unknown): string | undefined {
  if (typeof v !== 'string' || !v || BYPASS_SIGNATURES.has(v)) return undefined;
  return v;
}

const BYPASS_SIGNATURES = new Set([SKIP_THOUGHT_SIGNATURE, 'context_engineering_is_the_way_to_go']);

/** Code-execution parts (executableCode / codeExecutionResult) shown as fenced text; undefined otherwise. */
export function codePartText(part: Json): string | undefined {
  const code = field(part, 'executableCode');
  if (isObj(code)) {
    const lang = (str(code.language) ?? '').toLowerCase();
    return `\n\`\`\`${lang === 'language_unspecified' ? '' : lang}\n${str(code.code) ?? ''}\n\`\`\`\n`;
  }
  const result = field(part, 'codeExecutionResult');
  if (isObj(result) && str(result.output)) return `\n\`\`\`\n${str(result.output)}\n\`\`\`\n`;
  return undefined;
}

export interface ModelPartsOptions {
  /** Id for the n-th functionCall without its own id. */
  callId: (fc: Json) => string;
  /**
   * Responses: merge consecutive text parts, and thought parts until a signature, matching what a stream
   * folds into. Requests keep history parts one-to-one.
   */
  merge: boolean;
}

/** Decode a model turn's parts into canonical assistant parts. */
export function decodeModelParts(parts: unknown[], opts: ModelPartsOptions): AssistantPart[] {
  const out: AssistantPart[] = [];
  for (const raw of parts) {
    if (!isObj(raw)) continue;
    const sig = realSignature(field(raw, 'thoughtSignature'));
    const fc = field(raw, 'functionCall');
    if (isObj(fc)) {
      const args = isObj(fc.args) ? fc.args : {};
      const call: AssistantPart = {
        type: 'tool-call',
        id: opts.callId(fc),
        name: str(fc.name) ?? '',
        arguments: JSON.stringify(args),
      };
      if (sig) call.signature = sig;
      rememberArguments(call, args);
      out.push(call);
      continue;
    }
    const text = str(raw.text);
    if (raw.thought === true) {
      appendThought(out, text ?? '', sig, opts.merge);
      continue;
    }
    // A signature on a non-thought part belongs to that part's position: keep it as an empty reasoning part.
    if (sig) out.push({ type: 'reasoning', text: '', signature: sig, family: 'gemini' });
    if (text !== undefined) {
      if (text === '') continue;
      const last = out[out.length - 1];
      if (opts.merge && !sig && last?.type === 'text') last.text += text;
      else out.push({ type: 'text', text });
      continue;
    }
    const media = decodeMedia(raw);
    if (media) {
      out.push(media);
      continue;
    }
    const code = codePartText(raw);
    if (code) {
      const last = out[out.length - 1];
      if (opts.merge && last?.type === 'text') last.text += code;
      else out.push({ type: 'text', text: code });
    }
  }
  return out;
}

/** Consecutive thought parts form one reasoning block until a signature closes it. */
function appendThought(out: AssistantPart[], text: string, sig: string | undefined, merge: boolean): void {
  const last = out[out.length - 1];
  let target: ReasoningPart;
  if (merge && last?.type === 'reasoning' && last.family === 'gemini' && last.signature === undefined && last.text !== '') {
    target = last;
    target.text += text;
  } else {
    target = { type: 'reasoning', text, family: 'gemini' };
    if (text === '' && !sig) return;
    out.push(target);
  }
  if (sig) target.signature = sig;
}

export interface AssistantEncodeOptions {
  /**
   * Request history (true): drop reasoning of other families and give unsigned function calls Google's
   * skip value. Response to a Gemini client (false): show all reasoning text, never invent signatures.
   */
  forRequest: boolean;
  /** Whether to put the canonical id on `functionCall.id`. */
  includeId: (id: string) => boolean;
}

/** Encode canonical assistant parts as Gemini model parts. */
export function encodeAssistantParts(parts: AssistantPart[], opts: AssistantEncodeOptions): Json[] {
  const out: Json[] = [];
  let pending: string | undefined;
  let callSigned = false;
  const flushPending = (): void => {
    if (pending !== undefined) out.push({ text: '', thoughtSignature: pending });
    pending = undefined;
  };
  for (const p of parts) {
    switch (p.type) {
      case 'reasoning': {
        const gemini = p.family === 'gemini';
        if (opts.forRequest && !gemini) continue;
        const sig = gemini && p.signature ? p.signature : undefined;
        if (p.text) {
          flushPending();
          const part: Json = { text: p.text, thought: true };
          if (sig) part.thoughtSignature = sig;
          out.push(part);
        } else if (sig) {
          flushPending();
          pending = sig;
        }
        continue;
      }
      case 'text': {
        if (!p.text && pending === undefined) continue;
        const part: Json = { text: p.text };
        if (pending !== undefined) part.thoughtSignature = pending;
        pending = undefined;
        out.push(part);
        continue;
      }
      case 'image': {
        const part = encodeImage(p);
        if (pending !== undefined) part.thoughtSignature = pending;
        pending = undefined;
        out.push(part);
        continue;
      }
      case 'tool-call': {
        // A pending signature sat on its own part (a call's own signature is on the call): keep it apart.
        flushPending();
        const fc: Json = { name: p.name, args: rememberedArguments(p) ?? parseArgs(p.arguments) };
        if (opts.includeId(p.id)) fc.id = p.id;
        const part: Json = { functionCall: fc };
        const sig = p.signature;
        if (sig) {
          part.thoughtSignature = sig;
          callSigned = true;
        } else if (opts.forRequest && !callSigned) {
          // Gemini 3 validates the first functionCall of each model turn; see SKIP_THOUGHT_SIGNATURE.
          part.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
          callSigned = true;
        }
        out.push(part);
        continue;
      }
    }
  }
  // A trailing signature with nothing to ride on travels as Gemini itself sends it: an empty text part.
  flushPending();
  return out;
}

/** Tool-call arguments JSON text → the object Gemini wants in `args` (`{}` when not a JSON object). */
export function parseArgs(text: string): Json {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return isObj(v) ? v : {};
  } catch {
    return {};
  }
}
