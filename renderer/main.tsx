// First: zod must be configured for the CSP before any schema is built (see forms/zodConfig.ts).
import './forms/zodConfig';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './shell/App';
import { StoresProvider } from './stores/context';
// The console's own look, last: it is what the features' stylesheets build on and, where they tie, what wins.
import './styles/base.css';
import './styles/header.css';
import './styles/layout.css';
import './styles/sessions.css';

const container = document.getElementById('root');
if (!container) throw new Error('The page has no #root element.');

if (typeof window.breakglass !== 'object' || window.breakglass === null) {
  // Without the preload's API the console can do nothing; say so instead of a blank window.
  const p = document.createElement('p');
  p.className = 'fatal';
  p.setAttribute('role', 'alert');
  p.textContent = 'The console bridge (window.breakglass) is missing: this page must be opened by the Break-Glass Console.';
  container.append(p);
} else {
  createRoot(container).render(
    <StrictMode>
      <StoresProvider api={window.breakglass}>
        <App />
      </StoresProvider>
    </StrictMode>,
  );
}
