import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

function ConsoleApp() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>Cabine — console du médecin</h1>
      <p>Salle d’attente : aucune cabine en attente.</p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><ConsoleApp /></StrictMode>);
