import { canonicalEmail, isPlausibleEmail } from '../auth/email.js';
import type { RateLimiter, User, UserRepository } from '../auth/ports.js';
import { type Budget, spendBudget } from '../budget.js';
import { hasForbiddenNameCharacters } from '../text.js';
import { invalid } from './validation.js';

const SEARCH_RESULTS = 20;

export interface SearchDeps {
  users: Pick<UserRepository, 'search'>;
  limiter: RateLimiter;
  searchLimit: Budget;
}

/**
 * People to start a chat with, as `{id, displayName}` only. An email matches only when the query is the whole
 * address (canonical form), so an address cannot be grown one character at a time; names match by word
 * prefix. Throttled per user, so the directory cannot be enumerated quickly.
 */
export async function searchPeople(
  deps: SearchDeps,
  input: { userId: string; query: string },
): Promise<Pick<User, 'id' | 'displayName'>[]> {
  const query = input.query.trim();
  if (query.length === 0 || query.length > 64) throw invalid('query', 'query must be 1 to 64 characters');
  if (hasForbiddenNameCharacters(query)) {
    throw invalid('query', 'query contains control or invisible characters');
  }
  await spendBudget(deps.limiter, `search:${input.userId}`, deps.searchLimit, 'Too many searches; slow down');
  const email = canonicalEmail(query);
  const found = await deps.users.search(
    { name: query, email: isPlausibleEmail(email) ? email : null },
    SEARCH_RESULTS,
    input.userId,
  );
  return found.map((user) => ({ id: user.id, displayName: user.displayName }));
}
