import { describe, expect, it } from 'vitest';
import { AiFallbackError, textOf } from '#core/ai/model';

describe('the model port', () => {
  it('joins the text parts of a reply and leaves tool calls out', () => {
    const reply = {
      content: [
        { type: 'text' as const, text: 'Two agents ' },
        { type: 'tool_use' as const, id: 't1', name: 'list_agents', input: {} },
        { type: 'text' as const, text: 'are offline.' },
      ],
      stopReason: 'end_turn',
      usage: { inputTokens: 1, outputTokens: 1 },
    };

    expect(textOf(reply)).toBe('Two agents are offline.');
    expect(textOf({ ...reply, content: [] })).toBe('');
  });

  it('names a fallback error and carries its reason and cause', () => {
    const cause = new Error('socket hang up');
    const error = new AiFallbackError('error', 'the model did not answer', { cause });

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AiFallbackError');
    expect(error.reason).toBe('error');
    expect(error.message).toBe('the model did not answer');
    expect(error.cause).toBe(cause);
  });
});
