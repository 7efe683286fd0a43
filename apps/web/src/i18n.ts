import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';
import { zhCN } from './locales/zh-CN';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const KEY = 'rollplan.language';
const isLanguage = (value: unknown): value is Language => LANGUAGES.includes(value as Language);

/** The language remembered for this user (or the last one chosen here), else zh-CN. */
export function rememberedLanguage(userId?: string): Language {
  const mine = userId ? localStorage.getItem(`${KEY}.${userId}`) : null;
  const last = localStorage.getItem(KEY);
  return isLanguage(mine) ? mine : isLanguage(last) ? last : 'zh-CN';
}

export function chooseLanguage(language: Language, userId?: string): void {
  localStorage.setItem(KEY, language);
  if (userId) localStorage.setItem(`${KEY}.${userId}`, language);
  document.documentElement.lang = language;
  void i18n.changeLanguage(language);
}

/** Keys the app asked for and the resources lack: reported, so the browser tier sees them. */
export const missingKeys: string[] = [];

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: rememberedLanguage(),
  fallbackLng: false,
  interpolation: { escapeValue: false },
  saveMissing: true,
  missingKeyHandler: (_lngs, _ns, key) => {
    missingKeys.push(key);
    console.error(`missing text: ${key}`);
  },
});
document.documentElement.lang = i18n.language;

export default i18n;
