import { html, type PropertyValues, type TemplateResult } from 'lit';
import { ApiError, describeProblem } from '../api/problem.js';
import type { Person } from '../api/types.js';
import { StoreElement } from './light-element.js';
import { namesOf, pickedPeople, withPicked } from './picked-people.js';
import './people-search.js';

const MAX_NAME = 100;

/**
 * "New group" (`POST /chat/groups`): a name and the people to invite, picked with the people search; the
 * creator becomes the admin and the new group opens. A modal `<dialog>` like the other panels; emits `close`.
 */
export class NewGroupPanel extends StoreElement {
  static override properties = {
    open: { type: Boolean },
    name: { state: true },
    members: { state: true },
    busy: { state: true },
    nameError: { state: true },
    formError: { state: true },
  };
  declare open: boolean;
  declare name: string;
  declare members: Person[];
  declare busy: boolean;
  declare nameError: string;
  declare formError: string;

  constructor() {
    super();
    this.open = false;
    this.reset();
  }

  override render(): TemplateResult {
    return html`
      <dialog class="sessions new-group" aria-labelledby="new-group-title" @close=${() => this.emit('close')}>
        <header class="dialog-header">
          <h2 id="new-group-title">New group</h2>
        </header>
        <form novalidate @submit=${this.submit} aria-busy=${this.busy ? 'true' : 'false'}>
          <div class="field">
            <label for="new-group-name">Group name</label>
            <input
              id="new-group-name"
              maxlength=${MAX_NAME}
              autocomplete="off"
              aria-invalid=${this.nameError ? 'true' : 'false'}
              aria-describedby=${this.nameError ? 'new-group-name-error' : ''}
              .value=${this.name}
              @input=${(event: InputEvent) => {
                if (event.target instanceof HTMLInputElement) this.name = event.target.value;
              }}
            />
            ${this.nameError ? html`<p class="field-error" id="new-group-name-error">${this.nameError}</p>` : ''}
          </div>
          <people-search
            .store=${this.store}
            picker
            label="Add people"
            inputId="new-group-search"
            resultsLabel="People to add"
            .excludeIds=${this.members.map((person) => person.id)}
            @person-picked=${(event: CustomEvent<Person>) => {
              this.members = withPicked(this.members, event.detail);
            }}
          ></people-search>
          ${pickedPeople('Members of the new group', this.members, (person) => {
            this.members = this.members.filter((picked) => picked.id !== person.id);
          })}
          <div class="form-error" role="alert">${this.formError}</div>
          <footer class="dialog-footer end">
            <button class="ghost" type="button" @click=${this.dismiss}>Cancel</button>
            <button class="primary" type="submit" ?disabled=${this.busy}>Create group</button>
          </footer>
        </form>
      </dialog>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const dialog = this.querySelector('dialog');
    if (!dialog || !changed.has('open')) return;
    if (this.open && !dialog.open) {
      this.reset();
      dialog.showModal();
      this.querySelector<HTMLInputElement>('#new-group-name')?.focus();
    } else if (!this.open && dialog.open) {
      dialog.close();
    }
  }

  private reset(): void {
    this.name = '';
    this.members = [];
    this.busy = false;
    this.nameError = '';
    this.formError = '';
  }

  private readonly submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const store = this.store;
    const name = this.name.trim();
    this.nameError = name === '' ? 'Give the group a name.' : '';
    this.formError = '';
    if (!store || this.nameError) return;
    this.busy = true;
    try {
      await store.createGroup(
        name,
        this.members.map((person) => person.id),
      );
      this.dismiss();
    } catch (error) {
      this.showError(error);
    } finally {
      this.busy = false;
    }
  };

  private showError(error: unknown): void {
    if (error instanceof ApiError && error.code === 'invalid_members') {
      this.formError = `These people can't be added: ${namesOf(this.members, error.userIds)}.`;
      return;
    }
    const nameMessage = error instanceof ApiError ? error.fieldMessage('name') : undefined;
    if (nameMessage) this.nameError = nameMessage;
    else this.formError = describeProblem(error);
  }

  private readonly dismiss = (): void => {
    this.querySelector('dialog')?.close();
  };
}

customElements.define('new-group-panel', NewGroupPanel);
