import { html, nothing, type TemplateResult } from 'lit';
import type { Person } from '../api/types.js';
import { hueClass, initials } from '../format.js';

/** Initials in a coloured disc, with an optional presence dot; decorative (names are rendered beside it). */
export function avatar(person: Person, online?: boolean): TemplateResult {
  return html`<span class="avatar ${hueClass(person.id)}" aria-hidden="true"
    >${initials(person.displayName)}${
      online === undefined ? nothing : html`<span class="dot ${online ? 'on' : 'off'}"></span>`
    }</span
  >`;
}
