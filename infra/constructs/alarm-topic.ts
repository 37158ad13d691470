import { Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/** Who alarms reach. */
export interface AlarmTopicProps {
  /** Encrypts the topic (its key policy lets CloudWatch alarms use it). */
  masterKey: kms.IKey;
  /** Addresses subscribed by email (each confirms the subscription once). */
  emails: readonly string[];
  /** An existing topic every alarm also publishes to (its own policy must allow CloudWatch). */
  existingTopicArn?: string;
}

/**
 * The topics alarms publish to: this stack's encrypted topic with its email subscriptions, and
 * an existing topic when one is configured. `enforceSSL` gives the topic a policy holding only a
 * Deny, and a topic policy replaces SNS's default: without {@link allowAlarms}, CloudWatch could
 * not publish and every alarm action would fail.
 */
export class AlarmTopic extends Construct {
  /** This stack's topic. */
  readonly topic: sns.Topic;
  /** Every topic an alarm publishes to: this stack's, then the existing one if configured. */
  readonly destinations: sns.ITopic[];
  /** Notifications SNS could not deliver to an email address (bounces, full mailboxes). */
  readonly undelivered: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    // `Default`: the topic keeps the logical id it had before this construct (no re-confirming).
    this.topic = new sns.Topic(this, 'Default', {
      displayName: 'RingCentral message automation alarms',
      masterKey: props.masterKey,
      enforceSSL: true,
    });
    this.undelivered = new DeadLetterQueue(this, 'UndeliveredAlarms');
    for (const email of props.emails) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(email, { deadLetterQueue: this.undelivered.queue }),
      );
    }
    this.destinations = [this.topic];
    if (props.existingTopicArn) {
      this.destinations.push(sns.Topic.fromTopicArn(this, 'Existing', props.existingTopicArn));
    }
  }

  /**
   * Lets CloudWatch publish to this stack's topic for exactly `alarms`, and only from this
   * account (the confused-deputy guard AWS recommends for service principals).
   */
  allowAlarms(alarms: readonly cloudwatch.IAlarm[]): void {
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': alarms.map((alarm) => alarm.alarmArn) },
        },
      }),
    );
  }
}
