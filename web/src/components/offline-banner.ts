import { html, nothing, type TemplateResult } from 'lit';
import { StoreElement } from './light-element.js';

/** Shown while the realtime connection is down; the status region exists always so changes are announced. */
export class OfflineBanner extends StoreElement {
  override render(): TemplateResult {
    const offline = this.store?.connection === 'offline';
    return html`
      <div class="offline-banner ${offline ? 'shown' : ''}" role="status">
        ${
          offline
            ? html`<span class="pulse" aria-hidden="true"></span>
                <span>You're offline. Reconnecting… Messages you send will go out once you're back.</span>
                <button class="ghost small" type="button" @click=${() => this.store?.reconnectNow()}>
                  Retry now
                </button>`
            : nothing
        }
      </div>
    `;
  }
}

customElements.define('offline-banner', OfflineBanner);
