/**
 * The configured sending number, checked once per container against the numbers RingCentral says
 * the authorised user has: a number that is not the user's, or lacks the feature the route needs,
 * fails every send the same way (RingCentral refuses it per request with MSG-304), so it is
 * found once, logged once and answered at once.
 */
import {
  type CallOptions,
  InsufficientPermissionsError,
  InvalidRequestError,
  NotFoundError,
  type PhoneNumberFeature,
  type UserPhoneNumber,
} from '../ringcentral/index.ts';

/** The features a sending route needs of its number. */
export type SenderFeature = Extract<PhoneNumberFeature, 'SmsSender' | 'A2PSmsSender'>;

/** Why a configured number cannot send. */
export type SenderNumberReason = 'not-the-users-number' | 'lacks-feature';

/**
 * The configured sending number cannot send: every send is refused with it until the
 * configuration (or the number's features at RingCentral) is fixed and the container restarts.
 */
export class SenderNumberError extends Error {
  override name = 'SenderNumberError';
  readonly phoneNumber: string;
  readonly feature: SenderFeature;
  readonly reason: SenderNumberReason;
  /** The configuration key that names the number, e.g. `SMS_FROM`. */
  readonly setting: string;

  constructor(init: {
    phoneNumber: string;
    feature: SenderFeature;
    reason: SenderNumberReason;
    setting: string;
  }) {
    super(
      init.reason === 'not-the-users-number'
        ? `The configured sender ${init.phoneNumber} (${init.setting}) is not a phone number of the authorised RingCentral user.`
        : `The configured sender ${init.phoneNumber} (${init.setting}) lacks the ${init.feature} feature at RingCentral.`,
    );
    this.phoneNumber = init.phoneNumber;
    this.feature = init.feature;
    this.reason = init.reason;
    this.setting = init.setting;
  }
}

/** What a number needs to send: listed among the user's numbers, with `feature`. */
export interface SenderRequirement {
  phoneNumber: string;
  feature: SenderFeature;
  setting: string;
}

/** The refusal for `requirement` given the user's numbers, or `undefined` when it may send. */
export function senderNumberRefusal(
  numbers: readonly UserPhoneNumber[],
  requirement: SenderRequirement,
): SenderNumberError | undefined {
  const listed = numbers.find((number) => number.phoneNumber === requirement.phoneNumber);
  if (listed?.features?.includes(requirement.feature)) return undefined;
  return new SenderNumberError({
    ...requirement,
    reason: listed === undefined ? 'not-the-users-number' : 'lacks-feature',
  });
}

/** Options of {@link senderNumberCheck}. */
export interface SenderNumberCheckOptions extends SenderRequirement {
  /** The authorised user's numbers (`extensions.phoneNumbers('~')`). */
  listNumbers(options: CallOptions): Promise<UserPhoneNumber[]>;
  /** Told once, when the number is found unable to send. */
  onRefused(error: SenderNumberError): void;
  /**
   * Told once, when RingCentral will not list the user's numbers (403, 404, 400): sends then go
   * unchecked.
   */
  onUncheckable(error: unknown): void;
}

/** RingCentral's lasting refusal to list the numbers (not a 429, a 5xx or a rotating token). */
function refusesToList(error: unknown): boolean {
  return (
    error instanceof InsufficientPermissionsError ||
    error instanceof NotFoundError ||
    error instanceof InvalidRequestError
  );
}

/**
 * A check to await before each send: the first call lists the user's numbers; its verdict (may
 * send, refused, or the token may not list numbers) holds for the container's life, and a
 * refusal is thrown by every call. A list that fails for a passing reason (rate limit, network,
 * RingCentral 5xx, deadline) decides nothing: that send goes ahead, RingCentral remains its
 * judge, and the next call lists again.
 */
export function senderNumberCheck(
  options: SenderNumberCheckOptions,
): (callOptions: CallOptions) => Promise<void> {
  let verdict: Promise<SenderNumberError | undefined> | undefined;
  const decide = async (callOptions: CallOptions): Promise<SenderNumberError | undefined> => {
    try {
      const refusal = senderNumberRefusal(await options.listNumbers(callOptions), options);
      if (refusal) options.onRefused(refusal);
      return refusal;
    } catch (error) {
      if (!refusesToList(error)) {
        verdict = undefined;
        return undefined;
      }
      options.onUncheckable(error);
      return undefined;
    }
  };
  return async (callOptions) => {
    verdict ??= decide(callOptions);
    const refusal = await verdict;
    if (refusal) throw refusal;
  };
}
