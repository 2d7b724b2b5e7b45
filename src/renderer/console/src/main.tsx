/**
 * The specialist's console: login, the waiting room, the consultation
 * (video, patient context, measurement requests and live readings,
 * dermatoscope photos, notes, prescription, GP report). Components live in
 * ./components; wording and units in ./format.ts; the consultation's state
 * from the hub's notes in ./consult-state.ts.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from './components/App';
import './console.css';

createRoot(document.getElementById('root')!).render(<StrictMode><ConsoleApp /></StrictMode>);
