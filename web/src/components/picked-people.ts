import { html, nothing, type TemplateResult } from 'lit';
import type { Person } from '../api/types.js';
import { avatar } from './avatar.js';

/** The people chosen so far (new group, add members), each with a button that takes them off again. */
export function pickedPeople(
  label: string,
  people: readonly Person[],
  unpick: (person: Person) => void,
): TemplateResult | typeof nothing {
  if (people.length === 0) return nothing;
  return html`<ul class="picked" aria-label=${label}>
    ${people.map(
      (person) => html`<li class="picked-person">
        ${avatar(person)}<span class="person-name">${person.displayName}</span>
        <button
          class="ghost small"
          type="button"
          aria-label=${`Don't add ${person.displayName}`}
          @click=${() => unpick(person)}
        >
          ×
        </button>
      </li>`,
    )}
  </ul>`;
}

/** Adds someone to a pick list once. */
export const withPicked = (people: readonly Person[], person: Person): Person[] =>
  people.some((picked) => picked.id === person.id) ? [...people] : [...people, person];

/** "Alice, Bob" for the ids an `invalid_members` problem lists (names from the pick list). */
export function namesOf(people: readonly Person[], ids: readonly string[]): string {
  return ids.map((id) => people.find((person) => person.id === id)?.displayName ?? 'someone').join(', ');
}
