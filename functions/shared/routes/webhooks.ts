/** Outgoing webhooks: receivers of live events, their deliveries, and resuming a paused one. */
import { defineRoute, routesById } from '#app/route';
import { IdParams } from '#app/schemas/common';
import {
  CreateWebhookBody,
  DeliveryPage,
  WebhookPage,
  WebhooksQuery,
  WebhookView,
} from '#app/schemas/webhooks';
import { Role } from '#core/roles';

const { Admin } = Role;

/** Webhook routes (admin only). */
export const WEBHOOK_ROUTES = [
  defineRoute({
    id: 'createWebhook',
    method: 'POST',
    path: '/v1/webhooks',
    access: [Admin],
    summary: 'Register a receiver of signed live events (the secret is never shown again)',
    body: CreateWebhookBody,
    grants: 'readWrite',
    responses: { 201: WebhookView },
  }),
  defineRoute({
    id: 'listWebhooks',
    method: 'GET',
    path: '/v1/webhooks',
    access: [Admin],
    summary: 'Webhooks, oldest first, never their secrets',
    query: WebhooksQuery,
    grants: 'read',
    responses: { 200: WebhookPage },
  }),
  defineRoute({
    id: 'deleteWebhook',
    method: 'DELETE',
    path: '/v1/webhooks/{id}',
    access: [Admin],
    summary: 'Remove a webhook: no more deliveries',
    params: IdParams,
    grants: 'readWrite',
    responses: { 204: null },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'resumeWebhook',
    method: 'POST',
    path: '/v1/webhooks/{id}/resume',
    access: [Admin],
    summary: 'Send events to a paused webhook again',
    params: IdParams,
    grants: 'readWrite',
    responses: { 200: WebhookView },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'listWebhookDeliveries',
    method: 'GET',
    path: '/v1/webhooks/{id}/deliveries',
    access: [Admin],
    summary: "A webhook's deliveries, newest first: status, attempts, last error",
    params: IdParams,
    query: WebhooksQuery,
    grants: 'read',
    responses: { 200: DeliveryPage },
    errors: ['not_found'],
  }),
] as const;

/** These routes by id: a handler takes its route here, so its bundle builds no other area's schemas. */
export const webhookRoutes = routesById(WEBHOOK_ROUTES);
