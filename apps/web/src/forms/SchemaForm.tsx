import { Button, DatePicker, Form, Input, InputNumber, Select, Space, Switch } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useDirectory } from '../api/queries';
import { endOfBusinessDay } from '../format';

/** The part of JSON Schema the API's task payloads use (z.toJSONSchema of libs/domain's rules). */
export interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: string[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

/**
 * The branch of a payload schema that applies to a task: a union is told apart by a constant
 * property the task's links name (a contribution's `area`).
 */
export function schemaFor(schema: JsonSchema, links: Record<string, string>): JsonSchema {
  const branches = schema.oneOf ?? schema.anyOf;
  if (!branches) return schema;
  return (
    branches.find((branch) => Object.entries(branch.properties ?? {}).every(([name, property]) => property.const === undefined || links[name] === property.const)) ??
    branches[0]
  );
}

/** Initial values: constants fixed, arrays empty. */
export function initialValues(schema: JsonSchema): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.const !== undefined) values[name] = property.const;
    else if (property.type === 'array') values[name] = [];
  }
  return values;
}

/** What the form holds, as the API expects it: empty optional fields left out. */
export function payloadOf(schema: JsonSchema, values: Record<string, unknown>): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const value = values[name];
    if (value === undefined || value === null || value === '') continue;
    if (property.type === 'array' && property.items?.type === 'object' && Array.isArray(value)) {
      payload[name] = value.map((item) => payloadOf(property.items!, (item ?? {}) as Record<string, unknown>));
    } else payload[name] = value;
  }
  return payload;
}

const isUnitField = (name: string, property: JsonSchema) => property.format === 'uuid' && /unitId$/i.test(name);

/** Fields for every property of an object schema; `path` is where they sit in the form. */
export function SchemaFields({ schema, path = [] }: { schema: JsonSchema; path?: (string | number)[] }) {
  const { t } = useTranslation();
  const { units } = useDirectory();
  const required = new Set(schema.required ?? []);
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([name, property]) => {
        const at = [...path, name];
        // A constant (a contribution's area) is fixed by the task: kept, not shown.
        if (property.const !== undefined) {
          return (
            <Form.Item key={name} name={at} hidden>
              <Input />
            </Form.Item>
          );
        }
        const label = t(`field.${name}`);
        const rules = required.has(name) ? [{ required: true, message: t('task.required') }] : [];
        if (property.type === 'array' && property.items?.type === 'object') {
          const items = property.items;
          return (
            <Form.Item key={name} label={label} required={required.has(name)}>
              <Form.List name={at}>
                {(fields, { add, remove }) => (
                  <Space direction="vertical" style={{ width: '100%' }}>
                    {fields.map((field, index) => (
                      <fieldset key={field.key} className="list-item">
                        <legend>
                          {label} {index + 1}
                        </legend>
                        <SchemaFields schema={items} path={[field.name]} />
                        <Button onClick={() => remove(field.name)} danger size="small">
                          {t('task.remove')}
                        </Button>
                      </fieldset>
                    ))}
                    {fields.length < (property.maxItems ?? Infinity) && (
                      <Button onClick={() => add(initialValues(items))} type="dashed">
                        {t('task.add')}: {label}
                      </Button>
                    )}
                  </Space>
                )}
              </Form.List>
            </Form.Item>
          );
        }
        if (property.enum) {
          return (
            <Form.Item key={name} name={at} label={label} rules={rules}>
              <Select options={property.enum.map((value) => ({ value, label: t(`enum.${value}`) }))} />
            </Form.Item>
          );
        }
        if (property.type === 'number' || property.type === 'integer') {
          return (
            <Form.Item key={name} name={at} label={label} rules={rules}>
              <InputNumber min={property.minimum} max={property.maximum} precision={property.type === 'integer' ? 0 : undefined} />
            </Form.Item>
          );
        }
        if (property.type === 'boolean') {
          return (
            <Form.Item key={name} name={at} label={label} valuePropName="checked">
              <Switch />
            </Form.Item>
          );
        }
        if (property.type === 'array') {
          // A list of words (attendees): typed in, one tag each.
          return (
            <Form.Item key={name} name={at} label={label} rules={rules}>
              <Select mode="tags" open={false} suffixIcon={null} />
            </Form.Item>
          );
        }
        if (isUnitField(name, property)) {
          return (
            <Form.Item key={name} name={at} label={label} rules={rules}>
              <Select showSearch optionFilterProp="label" options={units.map((u) => ({ value: u.id, label: u.name }))} />
            </Form.Item>
          );
        }
        if (property.format === 'date-time') {
          return (
            <Form.Item
              key={name}
              name={at}
              label={label}
              rules={rules}
              // The form keeps the API's value: the end of the picked business day in the organization's zone.
              getValueProps={(value?: string) => ({ value: value ? dayjs(value.slice(0, 10)) : undefined })}
              normalize={(day?: Dayjs | null) => (day ? endOfBusinessDay(day.format('YYYY-MM-DD')) : undefined)}
            >
              <DatePicker />
            </Form.Item>
          );
        }
        const long = (property.maxLength ?? 0) > 2000;
        return (
          <Form.Item key={name} name={at} label={label} rules={rules}>
            {long ? <Input.TextArea autoSize={{ minRows: 3, maxRows: 12 }} maxLength={property.maxLength} /> : <Input maxLength={property.maxLength} />}
          </Form.Item>
        );
      })}
    </>
  );
}
