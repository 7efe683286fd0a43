import { localDateOf, parsePeriod, type Period } from '@rollplan/domain';

/** The organization's time zone the test system runs with (the API's default ORG_TIME_ZONE). */
export const ORG_TIME_ZONE = 'Asia/Shanghai';

/** The month it is now in the organization's time zone: a cycle started through the API opens its months by it. */
export function orgMonthNow(): Period {
  return parsePeriod(localDateOf(Date.now(), ORG_TIME_ZONE).slice(0, 7));
}
