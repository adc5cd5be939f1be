import type { Locator, Page } from 'playwright-core';
import type { Person } from './chat-ui.js';

/** The contact-list entry of a group. */
export const groupContact = (page: Page, groupName: string): Locator =>
  page.locator('contact-list').locator('button.group-contact').filter({ hasText: groupName });

/** The open group's members dialog. */
const membersDialog = (page: Page): Locator => page.getByRole('dialog', { name: /^Members of / });

/** Finds someone with a picker search (`label`) inside `scope` and picks them from "People to add". */
export async function pickPerson(scope: Locator, label: string, person: Person): Promise<void> {
  await scope.getByLabel(label, { exact: true }).fill(person.displayName);
  await scope
    .getByRole('list', { name: 'People to add' })
    .getByRole('button', { name: person.displayName })
    .click();
}

/** Opens the members dialog of the open group. */
export async function openMembers(page: Page): Promise<Locator> {
  await page.locator('.conversation-header').getByRole('button', { name: 'Members', exact: true }).click();
  const dialog = membersDialog(page);
  await dialog.waitFor();
  return dialog;
}
