import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, type Content } from '@google/genai';

/** What a client got back, normalised so the matrix can compare across APIs. */
export interface Outcome {
  text: string;
  reasoning: string;
  toolCalls: Array<{ id: string; name: string; args: unknown }>;
  finish: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
}

export interface Scenario {
  system: string;
  /** prior turns: user, assistant, user */
  history: Array<{ role: 'user' | 'assistant'; text: string }>;
  tools?: Array<{ name: string; description: string; parameters: Record<string, unknown> }>;
  thinking?: boolean;
  maxTokens: number;
  temperature: number;
  topP: number;
  stop: string[];
}

export type ClientName = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

export interface ClientDriver {
  name: ClientName;
  run(model: string, s: Scenario, stream: boolean): Promise<Outcome>;
}

export function drivers(baseUrl: string, key: string): ClientDriver[] {
  const openai = new OpenAI({ apiKey: key, baseURL: `${baseUrl}/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: key, baseURL: baseUrl, maxRetries: 0 });
  const genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: baseUrl } });
  return [
    {
      name: 'openai-chat',
      async run(model, s, stream) {
        const params: OpenAI.Chat.ChatCompletionCreateParams = {
          model,
          messages: [{ role: 'system', content: s.system }, ...s.history.map((h) => ({ role: h.role, content: h.text }))],
          max_tokens: s.maxTokens,
          temperature: s.temperature,
          top_p: s.topP,
          stop: s.stop,
          ...(s.tools ? { tools: s.tools.map((t) => ({ type: 'function' as const, function: t })), parallel_tool_calls: true } : {}),
          ...(s.thinking ? { reasoning_effort: 'high' as const } : {}),
        };
        if (!stream) {
          const r = await openai.chat.completions.create({ ...params, stream: false });
          const m = r.choices[0]!.message as any;
          return {
            text: m.content ?? '',
            reasoning: m.reasoning_content ?? '',
            toolCalls: (m.tool_calls ?? []).map((t: any) => ({ id: t.id, name: t.function.name, args: JSON.parse(t.function.arguments) })),
            finish: r.choices[0]!.finish_reason,
            model: r.model,
            inputTokens: r.usage?.prompt_tokens,
            outputTokens: r.usage?.completion_tokens,
          };
        }
        const st = await openai.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
        const out: Outcome = { text: '', reasoning: '', toolCalls: [], finish: '' };
        const calls: Array<{ id: string; name: string; args: string }> = [];
        for await (const c of st) {
          out.model = c.model;
          if (c.usage) {
            out.inputTokens = c.usage.prompt_tokens;
            out.outputTokens = c.usage.completion_tokens;
          }
          const ch = c.choices[0];
          if (!ch) continue;
          const d = ch.delta as any;
          out.text += d.content ?? '';
          out.reasoning += d.reasoning_content ?? '';
          for (const t of d.tool_calls ?? []) {
            calls[t.index] ??= { id: '', name: '', args: '' };
            if (t.id) calls[t.index]!.id = t.id;
            if (t.function?.name) calls[t.index]!.name = t.function.name;
            calls[t.index]!.args += t.function?.arguments ?? '';
          }
          if (ch.finish_reason) out.finish = ch.finish_reason;
        }
        out.toolCalls = calls.map((c) => ({ id: c.id, name: c.name, args: JSON.parse(c.args) }));
        return out;
      },
    },
    {
      name: 'openai-responses',
      async run(model, s, stream) {
        const params: OpenAI.Responses.ResponseCreateParams = {
          model,
          instructions: s.system,
          input: s.history.map((h) => ({ role: h.role, content: h.text })) as any,
          max_output_tokens: s.maxTokens,
          temperature: s.temperature,
          top_p: s.topP,
          ...(s.tools ? { tools: s.tools.map((t) => ({ type: 'function' as const, name: t.name, description: t.description, parameters: t.parameters, strict: false })) } : {}),
          ...(s.thinking ? { reasoning: { effort: 'high' as const, summary: 'auto' as const } } : {}),
        };
        const fromResponse = (r: OpenAI.Responses.Response): Outcome => ({
          // `output_text` is an SDK convenience on create() results only; derive it from output items.
          text: r.output.filter((o) => o.type === 'message').flatMap((o: any) => o.content.filter((c: any) => c.type === 'output_text').map((c: any) => c.text)).join(''),
          reasoning: r.output.filter((o) => o.type === 'reasoning').flatMap((o: any) => o.summary.map((x: any) => x.text)).join(''),
          toolCalls: r.output.filter((o) => o.type === 'function_call').map((o: any) => ({ id: o.call_id, name: o.name, args: JSON.parse(o.arguments) })),
          finish: r.status ?? '',
          model: r.model,
          inputTokens: r.usage?.input_tokens,
          outputTokens: r.usage?.output_tokens,
        });
        if (!stream) return fromResponse(await openai.responses.create({ ...params, stream: false }));
        const st = await openai.responses.create({ ...params, stream: true });
        let text = '';
        let reasoning = '';
        const argDeltas = new Map<string, string>();
        let final: OpenAI.Responses.Response | undefined;
        for await (const ev of st) {
          if (ev.type === 'response.output_text.delta') text += ev.delta;
          if (ev.type === 'response.reasoning_summary_text.delta') reasoning += ev.delta;
          if (ev.type === 'response.function_call_arguments.delta') argDeltas.set(ev.item_id, (argDeltas.get(ev.item_id) ?? '') + ev.delta);
          if (ev.type === 'response.completed') final = ev.response;
        }
        if (!final) throw new Error('no response.completed');
        const out = fromResponse(final);
        // The streamed deltas must add up to what the final event reports.
        if (text !== out.text) throw new Error(`streamed text ${JSON.stringify(text)} != final ${JSON.stringify(out.text)}`);
        for (const o of final.output) if (o.type === 'function_call' && argDeltas.has(o.id!) && argDeltas.get(o.id!) !== o.arguments) throw new Error('argument deltas do not add up');
        return { ...out, reasoning: reasoning || out.reasoning };
      },
    },
    {
      name: 'anthropic',
      async run(model, s, stream) {
        const params: Anthropic.MessageCreateParams = {
          model,
          system: s.system,
          messages: s.history.map((h) => ({ role: h.role, content: h.text })),
          max_tokens: s.thinking ? Math.max(s.maxTokens, 3000) : s.maxTokens,
          ...(s.thinking ? { thinking: { type: 'enabled' as const, budget_tokens: 2048 } } : { temperature: s.temperature, top_p: s.topP }),
          stop_sequences: s.stop,
          ...(s.tools ? { tools: s.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters as any })) } : {}),
        };
        const msg = stream ? await anthropic.messages.stream(params).finalMessage() : await anthropic.messages.create({ ...params, stream: false });
        return {
          text: msg.content.filter((b) => b.type === 'text').map((b: any) => b.text).join(''),
          reasoning: msg.content.filter((b) => b.type === 'thinking').map((b: any) => b.thinking).join(''),
          toolCalls: msg.content.filter((b) => b.type === 'tool_use').map((b: any) => ({ id: b.id, name: b.name, args: b.input })),
          finish: msg.stop_reason ?? '',
          model: msg.model,
          inputTokens: msg.usage.input_tokens,
          outputTokens: msg.usage.output_tokens,
        };
      },
    },
    {
      name: 'gemini',
      async run(model, s, stream) {
        const contents: Content[] = s.history.map((h) => ({ role: h.role === 'assistant' ? 'model' : 'user', parts: [{ text: h.text }] }));
        const config = {
          systemInstruction: s.system,
          maxOutputTokens: s.maxTokens,
          temperature: s.temperature,
          topP: s.topP,
          stopSequences: s.stop,
          ...(s.tools ? { tools: [{ functionDeclarations: s.tools.map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: t.parameters })) }] } : {}),
          ...(s.thinking ? { thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } } : {}),
        };
        const out: Outcome = { text: '', reasoning: '', toolCalls: [], finish: '' };
        const take = (r: any) => {
          out.model = r.modelVersion ?? out.model;
          const cand = r.candidates?.[0];
          for (const p of cand?.content?.parts ?? []) {
            if (p.thought) out.reasoning += p.text ?? '';
            else if (p.text) out.text += p.text;
            if (p.functionCall) out.toolCalls.push({ id: p.functionCall.id ?? '', name: p.functionCall.name, args: p.functionCall.args });
          }
          if (cand?.finishReason) out.finish = cand.finishReason;
          if (r.usageMetadata) {
            out.inputTokens = r.usageMetadata.promptTokenCount;
            out.outputTokens = r.usageMetadata.candidatesTokenCount;
          }
        };
        if (!stream) take(await genai.models.generateContent({ model, contents, config }));
        else for await (const c of await genai.models.generateContentStream({ model, contents, config })) take(c);
        return out;
      },
    },
  ];
}
