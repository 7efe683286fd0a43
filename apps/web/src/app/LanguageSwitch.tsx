import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { chooseLanguage, LANGUAGES, type Language } from '../i18n';
import { useSession } from './session';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const { state } = useSession();
  return (
    <Segmented<Language>
      aria-label={t('language.label')}
      size="small"
      value={i18n.language as Language}
      onChange={(language) => chooseLanguage(language, state.status === 'signed-in' ? state.me.id : undefined)}
      options={LANGUAGES.map((language) => ({ value: language, label: <span lang={language}>{t(`language.${language}`)}</span> }))}
    />
  );
}
