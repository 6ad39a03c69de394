// Local answers use the Wavefront error envelope, so clients parse proxy errors the way they
// parse the instance's own.
import type { FastifyReply } from 'fastify'

export function envelope (code: number, message: string): { status: { result: 'ERROR', message: string, code: number } } {
  return { status: { result: 'ERROR', message, code } }
}

export function envelopeText (code: number, message: string): string {
  return JSON.stringify(envelope(code, message))
}

export function sendEnvelope (reply: FastifyReply, code: number, message: string): FastifyReply {
  return reply.code(code).type('application/json; charset=utf-8').send(envelopeText(code, message))
}
