import { LitElement, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { ChatStore } from '../state/chat-store.js';

/**
 * Components render into the light DOM so one global stylesheet (a same-origin file, no inline styles:
 * the page's CSP needs no 'unsafe-inline') styles the whole app, and labels/ids work document-wide.
 */
export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** Dispatches a bubbling custom event (the way components talk to their parents). */
  protected emit<T>(name: string, detail?: T): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

/** A light-DOM component that re-renders whenever the chat store changes. */
export class StoreElement extends LightElement {
  static override properties: PropertyDeclarations = { store: { attribute: false } };
  declare store: ChatStore | undefined;
  private subscribed: ChatStore | undefined;
  private readonly onStoreChange = (): void => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    this.subscribe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.subscribed?.removeEventListener('change', this.onStoreChange);
    this.subscribed = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('store')) this.subscribe();
  }

  private subscribe(): void {
    if (this.subscribed === this.store || !this.isConnected) return;
    this.subscribed?.removeEventListener('change', this.onStoreChange);
    this.store?.addEventListener('change', this.onStoreChange);
    this.subscribed = this.store;
  }
}
