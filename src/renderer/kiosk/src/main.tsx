import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connectKioskApi } from './api-client';
import './kiosk.css';
import { installStreamRegistry } from './wipe';

// Before anything opens the camera, so the privacy wipe can release every stream.
installStreamRegistry();

const api = connectKioskApi();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} />
  </StrictMode>,
);
