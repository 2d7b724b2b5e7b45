/**
 * The pharmacy counter page (served by the hub at /counter/): staff sign in
 * and see their pharmacy's booths; the booths' calls for help ring here.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { CounterApp } from './App';
import './counter.css';

createRoot(document.getElementById('root')!).render(<StrictMode><CounterApp /></StrictMode>);
