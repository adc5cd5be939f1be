import { html, nothing, type TemplateResult } from 'lit';
import type { PeopleResponse, Person } from '../api/types.js';
import { avatar } from './avatar.js';
import { StoreElement } from './light-element.js';

const DEBOUNCE_MS = 250;

/**
 * "Search people" (`GET /users?query=`): picking someone opens the conversation with them. With `picker` set
 * (choosing group members) it emits `person-picked` instead, under its own label, id and list name, and
 * leaves out `excludeIds` (people already chosen or already in the group).
 */
export class PeopleSearch extends StoreElement {
  static override properties = {
    picker: { type: Boolean },
    label: {},
    inputId: {},
    resultsLabel: {},
    excludeIds: { attribute: false },
    query: { state: true },
    results: { state: true },
    searching: { state: true },
    error: { state: true },
  };
  declare picker: boolean;
  declare label: string;
  declare inputId: string;
  declare resultsLabel: string;
  declare excludeIds: readonly string[];
  declare query: string;
  declare results: Person[];
  declare searching: boolean;
  declare error: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sequence = 0;

  constructor() {
    super();
    this.picker = false;
    this.label = 'Search people';
    this.inputId = 'people-search';
    this.resultsLabel = 'People found';
    this.excludeIds = [];
    this.query = '';
    this.results = [];
    this.searching = false;
    this.error = '';
  }

  override render(): TemplateResult {
    const term = this.query.trim();
    const done = term !== '' && !this.searching;
    const results = this.results.filter((person) => !this.excludeIds.includes(person.id));
    return html`
      <div class="search" role="search">
        <label for=${this.inputId}>${this.label}</label>
        <input
          id=${this.inputId}
          type="search"
          autocomplete="off"
          spellcheck="false"
          placeholder="Name or email"
          maxlength="64"
          .value=${this.query}
          @input=${this.onInput}
          @keydown=${this.onKeydown}
        />
        <p class="sr-only" aria-live="polite">
          ${done ? `${results.length} ${results.length === 1 ? 'person' : 'people'} found` : ''}
        </p>
        ${this.error ? html`<p class="field-error">${this.error}</p>` : nothing}
        ${
          results.length > 0
            ? html`<ul class="results" aria-label=${this.resultsLabel}>
                ${results.map(
                  (person) => html`<li>
                    <button class="person" type="button" @click=${() => this.pick(person)}>
                      ${avatar(person)}<span class="person-name">${person.displayName}</span>
                    </button>
                  </li>`,
                )}
              </ul>`
            : done && !this.error
              ? html`<p class="muted small-print">No one matches “${term}”.</p>`
              : nothing
        }
      </div>
    `;
  }

  private onInput(event: InputEvent): void {
    if (!(event.target instanceof HTMLInputElement)) return;
    this.query = event.target.value;
    clearTimeout(this.timer);
    const term = this.query.trim();
    this.sequence += 1;
    if (term === '') {
      this.results = [];
      this.searching = false;
      return;
    }
    this.searching = true;
    this.timer = setTimeout(() => void this.search(term, this.sequence), DEBOUNCE_MS);
  }

  private async search(term: string, sequence: number): Promise<void> {
    const store = this.store;
    if (!store) return;
    try {
      const { users } = await store.api.get<PeopleResponse>(`/users?${new URLSearchParams({ query: term })}`);
      if (sequence !== this.sequence) return;
      this.results = users;
      this.error = '';
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.results = [];
      this.error = error instanceof Error ? error.message : 'Search failed';
    } finally {
      if (sequence === this.sequence) this.searching = false;
    }
  }

  private onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') this.clear();
    // Inside a form (picking group members) Enter would submit it half-filled.
    if (event.key === 'Enter' && this.picker) event.preventDefault();
  }

  private pick(person: Person): void {
    this.clear();
    if (this.picker) this.emit('person-picked', person);
    else void this.store?.open(person);
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.sequence += 1;
    this.query = '';
    this.results = [];
    this.searching = false;
    this.error = '';
  }
}

customElements.define('people-search', PeopleSearch);
