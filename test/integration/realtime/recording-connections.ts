import type { ConnectionStore } from '#core/realtime/ports';

/** `real`, with the channel of every subscriber-index query it answers pushed onto `queried`. */
export const recordingSubscriberQueries = (real: ConnectionStore, queried: string[]): ConnectionStore => ({
  add: (connection, channels) => real.add(connection, channels),
  get: (id) => real.get(id),
  subscribe: (id, channels) => real.subscribe(id, channels),
  unsubscribe: (id, channels) => real.unsubscribe(id, channels),
  channelsOf: (id) => real.channelsOf(id),
  remove: (id) => real.remove(id),
  channelVersions: (channels) => real.channelVersions(channels),
  subscribersOf: (channel, page) => {
    queried.push(channel);
    return real.subscribersOf(channel, page);
  },
});
