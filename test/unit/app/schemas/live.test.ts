import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { CLIENT_MESSAGES, MAX_CHANNELS_PER_MESSAGE } from '#app/schemas/live';
import { MAX_CHANNEL_LENGTH } from '#core/realtime/channels';

const valid = (action: keyof typeof CLIENT_MESSAGES, frame: unknown) =>
  Value.Check(CLIENT_MESSAGES[action], frame);

describe('client message schemas', () => {
  it('has a schema for each client action and no other', () => {
    expect(Object.keys(CLIENT_MESSAGES).sort()).toEqual(['ask', 'ping', 'subscribe', 'unsubscribe']);
  });

  it('accepts subscribe with 1 to 50 channels and an optional cursor', () => {
    expect(valid('subscribe', { action: 'subscribe', channels: ['all'] })).toBe(true);
    expect(valid('subscribe', { action: 'subscribe', channels: ['team:core'], after: 'c1' })).toBe(true);
    const most = Array.from({ length: MAX_CHANNELS_PER_MESSAGE }, (_, i) => `work:w-${i}`);
    expect(valid('subscribe', { action: 'subscribe', channels: most })).toBe(true);
  });

  it('refuses subscribe without channels, with too many or too long, empty names, a bad cursor or extra fields', () => {
    const refused = [
      { action: 'subscribe' },
      { action: 'subscribe', channels: [] },
      { action: 'subscribe', channels: Array.from({ length: MAX_CHANNELS_PER_MESSAGE + 1 }, () => 'all') },
      { action: 'subscribe', channels: [''] },
      { action: 'subscribe', channels: [`team:${'x'.repeat(MAX_CHANNEL_LENGTH)}`] },
      { action: 'subscribe', channels: 'all' },
      { action: 'subscribe', channels: ['all'], after: '' },
      { action: 'subscribe', channels: ['all'], extra: 1 },
      { action: 'unsubscribe', channels: ['all'] },
    ];
    for (const frame of refused) expect(valid('subscribe', frame), JSON.stringify(frame)).toBe(false);
  });

  it('checks unsubscribe like subscribe, without a cursor', () => {
    expect(valid('unsubscribe', { action: 'unsubscribe', channels: ['team:core'] })).toBe(true);
    expect(valid('unsubscribe', { action: 'unsubscribe', channels: [] })).toBe(false);
    expect(valid('unsubscribe', { action: 'unsubscribe', channels: ['all'], after: 'c1' })).toBe(false);
  });

  it('accepts a bare ping only', () => {
    expect(valid('ping', { action: 'ping' })).toBe(true);
    expect(valid('ping', { action: 'ping', at: 1 })).toBe(false);
    expect(valid('ping', { action: 'pong' })).toBe(false);
  });

  it('accepts ask with an id and a question within their limits', () => {
    expect(valid('ask', { action: 'ask', id: 'q1', question: 'Who is overloaded?' })).toBe(true);
    expect(valid('ask', { action: 'ask', id: 'q1' })).toBe(false);
    expect(valid('ask', { action: 'ask', id: '', question: 'x' })).toBe(false);
    expect(valid('ask', { action: 'ask', id: 'x'.repeat(129), question: 'x' })).toBe(false);
    expect(valid('ask', { action: 'ask', id: 'q1', question: 'x'.repeat(4001) })).toBe(false);
    expect(valid('ask', { action: 'ask', id: 'q1', question: 'x'.repeat(4000) })).toBe(true);
  });
});
