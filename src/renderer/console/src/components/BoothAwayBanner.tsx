import { useEffect, useState } from 'react';
import { systemClock, type Clock } from '../../../../shared/clock';
import { boothAwayText, type BoothAway } from '../format';

/**
 * The booth has dropped out of the call: since when, and when the call ends
 * if it does not come back (the hub's grace period), counted down each
 * second on the clock given (the page's own by default).
 */
export function BoothAwayBanner({ away, clock = systemClock }: { away: BoothAway; clock?: Pick<Clock, 'now'> }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  const { title, detail } = boothAwayText(away, clock.now());
  return (
    <div className="banner banner--booth" role="alert" data-testid="booth-away">
      <strong>{title}</strong> <span>{detail}</span>
    </div>
  );
}
