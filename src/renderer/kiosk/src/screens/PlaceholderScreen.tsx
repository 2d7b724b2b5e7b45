import type { ScreenProps } from '../App';
import { StepHeader } from './StepHeader';

export function PlaceholderScreen({ view, send, title }: ScreenProps & { title: string }) {
  return (
    <main className="screen">
      <StepHeader view={view} send={send} />
      <h1 className="title">{title}</h1>
    </main>
  );
}
