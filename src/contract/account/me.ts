import { z } from 'zod';
import { isAuthenticated } from '../../core/permissions.js';
import { userView, userViewSchema } from '../../core/views/user.js';
import type { Route, RouteFactory } from '../types.js';

/** GET /api/me/: who is calling, and by which scheme. */
export const meRoutes: RouteFactory = (): Route[] => [
  {
    method: 'GET',
    path: '/api/me/',
    permission: isAuthenticated,
    summary: 'Who is calling, and by which scheme.',
    responses: {
      200: { description: 'The caller.', body: userViewSchema.extend({ auth: z.string() }) },
    },
    async handler({ auth }) {
      return { status: 200, body: { ...userView(auth!.user), auth: auth!.scheme } };
    },
  },
];
