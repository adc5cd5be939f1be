import { html, nothing, type TemplateResult } from 'lit';
import type { PeopleResponse, Person } from '../api/types.js';
import { avatar } from './avatar.js';
import { StoreElement } from './light-element.js';

const DEBOUNCE_MS = 250;

/** "Search people" (`GET /users?query=`): picking someone opens the conversation with them. */
export class PeopleSearch extends StoreElement {
  static override properties = {
    query: { state: true },
    results: { state: true },
    searching: { state: true },
    error: { state: true },
  };
  declare query: string;
  declare results: Person[];
  declare searching: boolean;
  declare error: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sequence = 0;

  constructor() {
    super();
    this.query = '';
    this.results = [];
    this.searching = false;
    this.error = '';
  }

  override render(): TemplateResult {
    const term = this.query.trim();
    const done = term !== '' && !this.searching;
    return html`
      <div class="search" role="search">
        <label for="people-search">Search people</label>
        <input
          id="people-search"
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
          ${done ? `${this.results.length} ${this.results.length === 1 ? 'person' : 'people'} found` : ''}
        </p>
        ${this.error ? html`<p class="field-error">${this.error}</p>` : nothing}
        ${
          this.results.length > 0
            ? html`<ul class="results" aria-label="People found">
                ${this.results.map(
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
  }

  private pick(person: Person): void {
    this.clear();
    void this.store?.open(person);
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
