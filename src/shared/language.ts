/** The kiosk's two languages, on their own so that pure modules below the session view can name them. */
import { z } from 'zod';

export const Language = z.enum(['fr', 'en']);
export type Language = z.infer<typeof Language>;
