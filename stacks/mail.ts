/**
 * Mail from deployed stages goes through Amazon SES (shared/adapters/mail/ses-mailer.ts). The sender comes from
 * the deploy environment: `MAIL_FROM` (the `From:` address) and optionally `MAIL_IDENTITY` (the verified SES
 * identity that covers it: the address itself or its domain; default the domain of MAIL_FROM). Verifying the
 * identity (and leaving the SES sandbox) happens once per account and region, outside this app: README, deploy.
 *
 * Not `sst.aws.Email`: linking it grants `ses:*` on the identity and `ses:SendEmail` on `*`. This link grants
 * only `ses:SendEmail` on the one identity, and only the HTTP function links it.
 */
export function createMail(): sst.Linkable<{ sender: string; identity: string }> | undefined {
  const from = process.env.MAIL_FROM?.trim();
  // Optional: without a sender nothing may send, and the flows that mail answer 503 until one is set.
  if (!from) return undefined;
  const address = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
  const identity = process.env.MAIL_IDENTITY?.trim() || address.slice(address.lastIndexOf('@') + 1);
  const partition = aws.getPartitionOutput().partition;
  const region = aws.getRegionOutput().region;
  const account = aws.getCallerIdentityOutput().accountId;
  const identityArn = $interpolate`arn:${partition}:ses:${region}:${account}:identity/${identity}`;
  return new sst.Linkable('Mail', {
    properties: { sender: from, identity },
    include: [sst.aws.permission({ actions: ['ses:SendEmail'], resources: [identityArn] })],
  });
}
