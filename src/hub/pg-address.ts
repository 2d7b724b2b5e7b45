/**
 * Where a PostgreSQL connection string points, as `host:port`, for a message
 * a person can act on: never the user nor the password. A socket folder given
 * as `?host=` is named as such. The record, the live state and the network's
 * lease all say where they could not connect the same way.
 */
export function pgAddress(url: string): string {
  try {
    const u = new URL(url);
    const host = u.searchParams.get('host') ?? u.hostname;
    return `${host || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'the configured PostgreSQL server (its URL does not parse)';
  }
}
