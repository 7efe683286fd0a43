import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** An API error in words: what the code means, and the server's own explanation. */
export function useErrorText() {
  const { t } = useTranslation();
  return (error: unknown): string => {
    if (!(error instanceof ApiError)) return t('error.unknown', { message: String(error) });
    if (error.status === 0) return t('error.network');
    return t(`error.${error.body.error}`, { message: error.body.message, defaultValue: t('error.unknown', { message: error.body.message }) });
  };
}

export function ErrorNotice({ error }: { error: unknown }) {
  const text = useErrorText();
  const detail = error instanceof ApiError && error.body.error !== 'conflict' ? error.body.message : undefined;
  return <Alert type="error" showIcon role="alert" title={text(error)} description={detail} style={{ marginBottom: 16 }} />;
}
