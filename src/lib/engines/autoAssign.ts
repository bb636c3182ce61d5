import { ROLES, refKey, type EngineRef, type Roles } from './roles';

/**
 * The roles after a model was added: it takes every role that is empty or names a model that is
 * no longer there; and when it is the only model, every role (judging one's own output is then
 * the only choice: the Models screen's self-judging warning still says so).
 * `available` holds the refKeys of the models present now, the new one included.
 */
export function autoAssignRoles(roles: Roles, added: EngineRef, available: string[]): Roles {
  const only = available.length === 1 && available[0] === refKey(added);
  const next = { ...roles };
  for (const role of ROLES) {
    const cur = roles[role];
    if (only || !cur || !available.includes(refKey(cur))) next[role] = added;
  }
  return next;
}
