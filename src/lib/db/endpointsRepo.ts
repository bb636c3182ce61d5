import type { EndpointConfig } from '../engines/remote/types';
import type { AppDb } from './db';

/** The only code that writes the endpoints table. Keys are not here: see secretsRepo. */
export async function listEndpoints(db: AppDb): Promise<EndpointConfig[]> {
  return db.endpoints.orderBy('name').toArray();
}

export async function saveEndpoint(db: AppDb, ep: EndpointConfig): Promise<void> {
  if ('key' in ep) throw new TypeError('an endpoint must not carry its key');
  await db.endpoints.put(ep);
}

/** Deletes an endpoint and its key together. */
export async function deleteEndpoint(db: AppDb, id: string): Promise<void> {
  await db.transaction('rw', db.endpoints, db.secrets, async () => {
    await db.endpoints.delete(id);
    await db.secrets.delete(id);
  });
}
