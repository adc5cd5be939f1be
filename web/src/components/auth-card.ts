import { html, type TemplateResult } from 'lit';

/**
 * The centred card the signed-out screens share (sign-in, forgot password, reset, email confirmation):
 * brand, an h1 that names the region, then the screen's own content.
 */
export function authCard(titleId: string, title: string, body: TemplateResult): TemplateResult {
  return html`
    <main class="auth">
      <section class="auth-card" aria-labelledby=${titleId}>
        <p class="brand" aria-hidden="true"><span class="brand-mark">●</span> Chat</p>
        <h1 id=${titleId}>${title}</h1>
        ${body}
      </section>
    </main>
  `;
}
