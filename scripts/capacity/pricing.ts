/**
 * AWS unit prices the cost model uses: US East (N. Virginia), us-east-1, on-demand, no free tier,
 * in US dollars. Checked against the sources named on each, as published in 2025 (DynamoDB's
 * on-demand prices were halved on 2024-11-01); the AWS pages are the authority, re-check them
 * before quoting a figure.
 */

/** DynamoDB on-demand, per write request unit. https://aws.amazon.com/dynamodb/pricing/on-demand/ */
export const DYNAMODB_WRITE_REQUEST_USD = 0.625 / 1e6;
/** DynamoDB on-demand, per read request unit. https://aws.amazon.com/dynamodb/pricing/on-demand/ */
export const DYNAMODB_READ_REQUEST_USD = 0.125 / 1e6;
/** Lambda, per request. https://aws.amazon.com/lambda/pricing/ */
export const LAMBDA_REQUEST_USD = 0.2 / 1e6;
/** Lambda on arm64 (the functions' architecture), per GB-second, first 7.5 billion GB-s a month. https://aws.amazon.com/lambda/pricing/ */
export const LAMBDA_ARM_GB_SECOND_USD = 0.0000133334;
/** API Gateway HTTP API, per request (up to 512 KB), first 300 million a month. https://aws.amazon.com/api-gateway/pricing/ */
export const HTTP_API_REQUEST_USD = 1.0 / 1e6;
/** API Gateway WebSocket API, per message (32 KB units), first billion a month. https://aws.amazon.com/api-gateway/pricing/ */
export const WEBSOCKET_MESSAGE_USD = 1.0 / 1e6;
/** API Gateway WebSocket API, per connection minute. https://aws.amazon.com/api-gateway/pricing/ */
export const WEBSOCKET_CONNECTION_MINUTE_USD = 0.25 / 1e6;
/** SQS standard queue, per request (64 KB chunks), after the first million a month. https://aws.amazon.com/sqs/pricing/ */
export const SQS_REQUEST_USD = 0.4 / 1e6;
/** Region the prices are for. */
export const PRICE_REGION = 'us-east-1';
