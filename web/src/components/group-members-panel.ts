import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { ApiError, describeProblem } from '../api/problem.js';
import type { GroupMember, Person } from '../api/types.js';
import type { ChatStore } from '../state/chat-store.js';
import { avatar } from './avatar.js';
import { StoreElement } from './light-element.js';
import { namesOf, pickedPeople, withPicked } from './picked-people.js';
import './people-search.js';

const MAX_NAME = 100;

/**
 * A group's members and roles. Admins rename the group (`PATCH /chat/groups/{id}`), add people
 * (`POST …/members`) and remove anyone (`DELETE …/members/{userId}`); everybody may leave (the same DELETE
 * with their own id). A modal `<dialog>`; emits `close`, and closes itself after leaving.
 */
export class GroupMembersPanel extends StoreElement {
  static override properties = {
    groupId: {},
    open: { type: Boolean },
    draftName: { state: true },
    picked: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  declare groupId: string;
  declare open: boolean;
  declare draftName: string;
  declare picked: Person[];
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.open = false;
    this.draftName = '';
    this.picked = [];
    this.busy = false;
    this.error = '';
  }

  override render(): TemplateResult {
    const store = this.store;
    const entry = store?.groups.get(this.groupId);
    const members = entry?.group?.members ?? [];
    const isAdmin = store ? store.groups.isAdmin(this.groupId, store.me.id) : false;
    return html`
      <dialog class="sessions group-members" aria-labelledby="group-members-title" @close=${() => this.emit('close')}>
        <header class="dialog-header">
          <h2 id="group-members-title">Members of ${entry?.name ?? 'the group'}</h2>
        </header>
        <div class="form-error" role="alert">${this.error}</div>
        ${isAdmin ? this.renderRename() : nothing}
        <ul class="session-list" aria-label="Members" aria-busy=${this.busy ? 'true' : 'false'}>
          ${members.map((member) => this.renderMember(member, isAdmin))}
        </ul>
        ${isAdmin ? this.renderAdd(members) : nothing}
        <footer class="dialog-footer">
          <button class="danger" type="button" ?disabled=${this.busy} @click=${this.leave}>Leave group</button>
          <button class="ghost" type="button" @click=${this.dismiss}>Close</button>
        </footer>
      </dialog>
    `;
  }

  private renderRename(): TemplateResult {
    return html`<form class="settings-section inline-form" novalidate @submit=${this.rename}>
      <label for="group-rename">Group name</label>
      <div class="composer-row">
        <input
          id="group-rename"
          maxlength=${MAX_NAME}
          autocomplete="off"
          .value=${this.draftName}
          @input=${(event: InputEvent) => {
            if (event.target instanceof HTMLInputElement) this.draftName = event.target.value;
          }}
        />
        <button class="ghost" type="submit" ?disabled=${this.busy || this.draftName.trim() === ''}>
          Rename group
        </button>
      </div>
    </form>`;
  }

  private renderMember(member: GroupMember, isAdmin: boolean): TemplateResult {
    const store = this.store;
    const isMe = member.id === store?.me.id;
    return html`<li class="session">
      ${avatar(member)}
      <div class="session-main">
        <p class="session-device">
          ${member.displayName}${isMe ? ' (you)' : ''}
          ${member.role === 'admin' ? html`<span class="tag">Admin</span>` : nothing}
        </p>
      </div>
      ${
        isAdmin && !isMe
          ? html`<button
              class="ghost small"
              type="button"
              aria-label=${`Remove ${member.displayName}`}
              ?disabled=${this.busy}
              @click=${() => void this.run((s) => s.removeGroupMember(this.groupId, member.id))}
            >
              Remove
            </button>`
          : nothing
      }
    </li>`;
  }

  private renderAdd(members: readonly GroupMember[]): TemplateResult {
    const excluded = [...members.map((member) => member.id), ...this.picked.map((person) => person.id)];
    return html`<form class="settings-section" novalidate @submit=${this.addMembers}>
      <h3>Add people</h3>
      <people-search
        .store=${this.store}
        picker
        label="Find people to add"
        inputId="group-add-search"
        resultsLabel="People to add"
        .excludeIds=${excluded}
        @person-picked=${(event: CustomEvent<Person>) => {
          this.picked = withPicked(this.picked, event.detail);
        }}
      ></people-search>
      ${pickedPeople('People to add to the group', this.picked, (person) => {
        this.picked = this.picked.filter((picked) => picked.id !== person.id);
      })}
      <button class="primary" type="submit" ?disabled=${this.busy || this.picked.length === 0}>Add members</button>
    </form>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const dialog = this.querySelector('dialog');
    if (!dialog || !changed.has('open')) return;
    if (this.open && !dialog.open) {
      this.draftName = this.store?.groups.get(this.groupId)?.name ?? '';
      this.picked = [];
      this.error = '';
      dialog.showModal();
      void this.store?.groups.load(this.groupId).then(
        () => this.requestUpdate(),
        () => {},
      );
    } else if (!this.open && dialog.open) {
      dialog.close();
    }
  }

  /** One change at a time; its failure is shown at the top of the panel. */
  private async run(change: (store: ChatStore) => Promise<void>): Promise<boolean> {
    const store = this.store;
    if (!store || this.busy) return false;
    this.busy = true;
    this.error = '';
    try {
      await change(store);
      return true;
    } catch (error) {
      this.error =
        error instanceof ApiError && error.code === 'invalid_members'
          ? `These people can't be added: ${namesOf(this.picked, error.userIds)}.`
          : describeProblem(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private readonly rename = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const name = this.draftName.trim();
    if (name !== '') await this.run((store) => store.renameGroup(this.groupId, name));
  };

  private readonly addMembers = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const ids = this.picked.map((person) => person.id);
    if (ids.length === 0) return;
    if (await this.run((store) => store.addGroupMembers(this.groupId, ids))) this.picked = [];
  };

  private readonly leave = async (): Promise<void> => {
    const me = this.store?.me.id;
    if (me && (await this.run((store) => store.removeGroupMember(this.groupId, me)))) this.dismiss();
  };

  private readonly dismiss = (): void => {
    this.querySelector('dialog')?.close();
  };
}

customElements.define('group-members-panel', GroupMembersPanel);
