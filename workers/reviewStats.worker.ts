import * as Comlink from 'comlink';
import { createReviewStatsApi } from '../src/lib/review/statsApi';

Comlink.expose(createReviewStatsApi());
