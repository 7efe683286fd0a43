// Datasource for the TypeORM CLI (`npx typeorm migration:show -d libs/db/dist/cli-data-source.js`).
import { DataSource } from 'typeorm';
import { DEFAULTS } from '@rollplan/config';
import { dataSourceOptions } from './data-source';

export default new DataSource(dataSourceOptions(process.env.DATABASE_URL || DEFAULTS.databaseUrl));
