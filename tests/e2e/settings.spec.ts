import fs from 'node:fs';
import { expect, keepScreenshot, test } from './fixtures';

test('a saved server profile survives a reload and its secret is never sent back', async ({ page, haven }) => {
  const secret = 'e2e-secret-never-echoed-91c';
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (frame) => frames.push(String(frame.payload))));

  await page.goto(haven.url);
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await expect(page.getByText('No servers yet.')).toBeVisible();

  await page.getByRole('button', { name: 'Add server' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Studio');
  await page.getByLabel('LiveKit URL').fill('wss://studio.example.com');
  await page.getByLabel('API key').fill('APIstudio');
  await page.getByLabel('API secret').fill(secret);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('profile')).toHaveCount(1);

  // A fresh page load (and a restarted server) still shows it.
  await haven.restart();
  await page.reload();
  const profile = page.getByTestId('profile');
  await expect(profile).toHaveCount(1);
  await expect(profile).toContainText('Studio');
  await expect(profile).toContainText('wss://studio.example.com');
  await expect(profile).toContainText('secret stored');
  await keepScreenshot(page, 'settings-profile-saved');

  // Editing shows an empty secret field: the stored secret never comes back.
  await profile.getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByLabel('API secret')).toHaveValue('');
  await expect(page.getByLabel('API secret')).toHaveAttribute('placeholder', /Stored/);
  await expect(page.getByLabel('API key')).toHaveValue('APIstudio');

  expect(frames.length).toBeGreaterThan(0);
  expect(frames.join('\n')).not.toContain(secret);
  expect(await page.content()).not.toContain(secret);
  // And it is not in the database file in the clear either.
  const db = fs.readFileSync(`${haven.dataFolder}/haven.db`).toString('latin1') + (fs.existsSync(`${haven.dataFolder}/haven.db-wal`) ? fs.readFileSync(`${haven.dataFolder}/haven.db-wal`).toString('latin1') : '');
  expect(db).not.toContain(secret);
});

test('removing a profile asks for confirmation', async ({ page, haven }) => {
  await page.goto(haven.url);
  await page.getByRole('button', { name: 'Add server' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Temp');
  await page.getByLabel('LiveKit URL').fill('ws://10.77.0.1:7880');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const profile = page.getByTestId('profile');
  await profile.getByRole('button', { name: 'Remove' }).click();
  await expect(profile).toHaveCount(1);
  await profile.getByRole('button', { name: 'Confirm remove' }).click();
  await expect(page.getByText('No servers yet.')).toBeVisible();
});

test('a malformed URL is refused with a message that says what to use', async ({ page, haven }) => {
  await page.goto(haven.url);
  await page.getByRole('button', { name: 'Add server' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Bad');
  await page.getByLabel('LiveKit URL').fill('ftp://nope');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('wss://');
});

test('an unwritable recordings folder is refused with a message that says what to do', async ({ page, haven }) => {
  await page.goto(`${haven.url}#settings`);
  const form = page.getByRole('form', { name: 'Recording settings' });
  await form.getByLabel('Recordings folder').fill('/proc/haven-cannot-write-here/recordings');
  await form.getByRole('button', { name: 'Save recording settings' }).click();
  await expect(form.getByRole('alert')).toContainText(/Can't write to the recordings folder .*Choose a folder you can write to/);
  await form.getByLabel('Recordings folder').fill('relative/folder');
  await form.getByRole('button', { name: 'Save recording settings' }).click();
  await expect(form.getByRole('alert')).toContainText('full path');
  await keepScreenshot(page, 'settings-folder-unwritable');
  // Nothing was saved: the setting still holds the working folder.
  await page.reload();
  await expect(page.getByRole('form', { name: 'Recording settings' }).getByLabel('Recordings folder')).toHaveValue(haven.recordingsFolder);
});
