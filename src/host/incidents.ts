/** The booth's last incidents (newest first), for the assistant panel. */
import type { EventData } from '../shared/kiosk-api';

export type Incident = EventData<'incident'>;

const MAX_INCIDENTS = 20;

export class IncidentLog {
  private readonly incidents: Incident[] = [];

  note(incident: Incident): void {
    this.incidents.unshift(incident);
    this.incidents.length = Math.min(this.incidents.length, MAX_INCIDENTS);
  }

  list(): Incident[] {
    return [...this.incidents];
  }
}
