// Vite handles CSS imports in the renderers.
declare module '*.css';
