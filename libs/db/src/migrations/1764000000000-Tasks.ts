import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Human tasks (read model written by activities), their comments, the notification outbox and in-app notifications. */
export class Tasks1764000000000 implements MigrationInterface {
  name = 'Tasks1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY,
        workflow_id text NOT NULL,
        kind text NOT NULL,
        title text NOT NULL,
        status text NOT NULL,
        assignee jsonb NOT NULL,
        eligible_user_ids uuid[] NOT NULL,
        claimed_by uuid,
        delegated_by uuid,
        submitted_by uuid,
        cycle_id uuid,
        links jsonb NOT NULL DEFAULT '{}',
        due_at timestamptz NOT NULL,
        escalation_step int NOT NULL DEFAULT 0,
        outcome text,
        comment text,
        payload jsonb,
        decided_by uuid,
        decided_at timestamptz,
        cancel_reason text,
        opened_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tasks_status_check CHECK (status IN ('open', 'claimed', 'completed', 'cancelled'))
      )`);
    await q.query(`CREATE INDEX tasks_eligible_idx ON tasks USING gin (eligible_user_ids)`);
    await q.query(`CREATE INDEX tasks_status_due_idx ON tasks (status, due_at)`);
    await q.query(`CREATE INDEX tasks_cycle_idx ON tasks (cycle_id)`);
    await q.query(`
      CREATE TABLE task_comments (
        id uuid PRIMARY KEY,
        task_id uuid NOT NULL,
        author_id uuid NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT task_comments_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id),
        CONSTRAINT task_comments_author_fk FOREIGN KEY (author_id) REFERENCES users (id)
      )`);
    await q.query(`CREATE INDEX task_comments_task_idx ON task_comments (task_id, created_at)`);
    // Written in the same transaction as the change it announces; a relay moves rows to BullMQ.
    await q.query(`
      CREATE TABLE outbox (
        id uuid PRIMARY KEY,
        event text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        dispatched_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE dispatched_at IS NULL`);
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        event text NOT NULL,
        title text NOT NULL,
        task_id uuid,
        source_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        CONSTRAINT notifications_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
        CONSTRAINT notifications_source_user_key UNIQUE (source_id, user_id)
      )`);
    await q.query(`CREATE INDEX notifications_user_idx ON notifications (user_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE task_comments`);
    await q.query(`DROP TABLE tasks`);
  }
}
