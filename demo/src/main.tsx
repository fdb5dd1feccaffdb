/** Entry of the demo page: two devices of one user, each with its own SDK client. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/app.tsx';
import { DEVICES, createDeviceSession } from './device-session.ts';

const DEFAULT_USER = 'demo-user';

function userFromUrl(): string {
  const requested = new URLSearchParams(location.search).get('user');
  return requested && /^[A-Za-z0-9_.-]{1,64}$/.test(requested) ? requested : DEFAULT_USER;
}

const userId = userFromUrl();
const [phoneSpec, laptopSpec] = DEVICES;
const root = document.getElementById('root');
if (!root || !phoneSpec || !laptopSpec) throw new Error('demo page: missing #root');

const options = { origin: location.origin, userId, storage: window.sessionStorage };
const phone = createDeviceSession(phoneSpec, options);
const laptop = createDeviceSession(laptopSpec, options);
window.addEventListener('pagehide', () => {
  void phone.client.close();
  void laptop.client.close();
});

createRoot(root).render(
  <StrictMode>
    <App phone={phone} laptop={laptop} userId={userId} />
  </StrictMode>,
);
